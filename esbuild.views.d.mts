/** view name (as served: ui://crm/<view>.html) → source folder under mcp-server/apps/views. */
export declare const VIEW_SOURCES: Record<string, string>;
/** The budget each built HTML file must stay under. */
export declare const VIEW_SIZE_LIMIT: number;
export interface BuiltView {
  view: string;
  file: string;
  /** Size of the HTML file. */
  bytes: number;
  /** Size of the view's script before it was packed into the page. */
  scriptBytes: number;
}
/** Builds every view into `outdir` (default dist/apps, relative to `root`). */
export declare function buildViews(options?: { outdir?: string; root?: string }): Promise<BuiltView[]>;
