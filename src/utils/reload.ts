// Grafana caches plugin meta in the browser; a full reload is the supported way to see saved
// settings (same as the scaffold's example). Its own module so tests can replace it.
export function reloadPage(): void {
  window.location.reload();
}
