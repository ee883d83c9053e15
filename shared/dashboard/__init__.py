"""The client dashboard: overview, drill-down, time series, summaries, insights, CSV and PDF.

`service` holds the reads, `params` the request validation, `export` the CSV and `report`
the PDF (fpdf2, imported only when a report is built).
"""
