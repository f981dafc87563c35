/**
 * Scrolls `element` into view once the host has fitted the view's frame to the view's content. A
 * view that grows reports its size, and a host that fits its frame to it (most do) applies it a
 * message or more later: scrolled before that, the view's own scroll snaps back to the top when the
 * frame grows, and the host's page is left scrolled to where the element was not (and a resize for
 * an earlier, smaller size may still be on its way). So the scroll waits until the frame holds the
 * whole content, or `waitMs` for a host that keeps the frame smaller (it scrolls inside the view).
 */
export function revealOnceFitted(element: Element | null, waitMs = 400): void {
  if (!element) return;
  const fitted = () => window.innerHeight >= document.documentElement.scrollHeight;
  let timer: ReturnType<typeof setTimeout> | undefined;
  const reveal = () => {
    window.removeEventListener("resize", onResize);
    clearTimeout(timer);
    element.scrollIntoView({ block: "nearest" });
  };
  const onResize = () => {
    if (fitted()) reveal();
  };
  if (fitted()) {
    reveal();
    return;
  }
  window.addEventListener("resize", onResize);
  timer = setTimeout(reveal, waitMs);
}
