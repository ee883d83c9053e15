/** What a person calls a landed file: the last part of its key, without the upload token
 * (`uploads/<day>/<32 hex>-<name>`, shared/admin/uploads.py). "bucket/partner/daily/x.csv" → "x.csv". */
export function shortFileName(fileName: string): string {
  const last = fileName.slice(fileName.lastIndexOf('/') + 1)
  const upload = /\/uploads\/\d{4}-\d{2}-\d{2}\/[0-9a-f]{32}-(.+)$/.exec(fileName)
  return upload ? upload[1]! : last || fileName
}
