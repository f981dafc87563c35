// esbuild bundles a view's stylesheet from its `import "./style.css"`.
declare module "*.css";
