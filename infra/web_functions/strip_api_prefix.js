// CloudFront Function (viewer request) on the /api/* behavior: the browser calls the API
// under /api on the dashboard's origin; API Gateway serves it at its stage root.
// It also sets x-viewer-ip to the viewer's address (replacing any value the viewer sent):
// the WAF on the API stage counts logins per viewer with it (infra/waf.py).
function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\/api(?=\/|$)/, '') || '/';
  request.headers['x-viewer-ip'] = { value: event.viewer.ip };
  return request;
}
