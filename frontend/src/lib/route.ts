/**
 * The app's addresses: each page has a URL, so reload, Back and bookmarks work.
 *
 *   /new                      step 1 (also `/`)
 *   /previews/{id}/review     step 2: the review of a preview (reopened from the service after a reload)
 *   /runs                     the runs history
 *   /runs/{id}                a run: its progress (step 3) or, once it succeeded, its results (step 4)
 *
 * The service answers a browser's navigation to any of these with the app (`web_app/api/frontend.py`).
 */
export type Route =
  | { page: "new" }
  | { page: "review"; previewId: string }
  | { page: "runs" }
  | { page: "run"; jobId: string };

const ID = "([A-Za-z0-9_-]+)";

export function parseRoute(path: string): Route {
  const review = path.match(new RegExp(`^/previews/${ID}/review/?$`));
  if (review) return { page: "review", previewId: review[1] };
  const run = path.match(new RegExp(`^/runs/${ID}/?$`));
  if (run) return { page: "run", jobId: run[1] };
  if (/^\/runs\/?$/.test(path)) return { page: "runs" };
  return { page: "new" };
}

export function pathOf(route: Route): string {
  switch (route.page) {
    case "review":
      return `/previews/${encodeURIComponent(route.previewId)}/review`;
    case "runs":
      return "/runs";
    case "run":
      return `/runs/${encodeURIComponent(route.jobId)}`;
    default:
      return "/new";
  }
}
