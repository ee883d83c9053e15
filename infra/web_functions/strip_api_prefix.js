// CloudFront Function (viewer request) on the /api/* behavior: the browser calls the API
// under /api on the dashboard's origin; API Gateway serves it at its stage root.
function handler(event) {
  var request = event.request;
  request.uri = request.uri.replace(/^\/api(?=\/|$)/, '') || '/';
  return request;
}
