/**
 * Scrolls `element` into view once the host has fitted the view's frame to the view's new size. A
 * view that grows reports its size, and a host that fits its frame to it (most do) applies it a
 * message later: scrolled before that, the view's own scroll snaps back to the top when the frame
 * grows, and the host's page is left scrolled to where the element was not. So the scroll waits for
 * the frame's resize, or `waitMs` for a host that keeps the frame's size.
 */
export function revealOnceFitted(element: Element | null, waitMs = 300): void {
  if (!element) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reveal = () => {
    window.removeEventListener("resize", reveal);
    clearTimeout(timer);
    element.scrollIntoView({ block: "nearest" });
  };
  window.addEventListener("resize", reveal);
  timer = setTimeout(reveal, waitMs);
}
