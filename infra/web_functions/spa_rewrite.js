// CloudFront Function (viewer request) on the S3 behavior only: an extension-less path is a
// route of the single-page app, answered by index.html so a deep link loads on a reload.
// Paths with an extension are files (a missing one stays a 403/404 from S3, never the app).
function handler(event) {
  var request = event.request;
  var uri = request.uri;
  var last = uri.substring(uri.lastIndexOf('/') + 1);
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
