"""nianbao as a service: `nianbao serve` (FastAPI + uvicorn) — an HTTP API under /api/v1 and a server-rendered
Chinese web app for uploading, scoring, reviewing and exporting reports.

Layout of the store folder (`--store DIR`):

    DIR/service.sqlite          users, sessions, batches, per-file items, the review audit trail
    DIR/history.sqlite          the history store shared by every batch (copying, cross-year checks)
    DIR/<batch>/run.sqlite      one run store per batch: the same file `nianbao score --out DIR/<batch>` writes
    DIR/<batch>/uploads/        uploaded files under generated names (never served, never executed)

A folder scored on the command line (`nianbao score PATHS --out DIR/NAME`) is picked up as batch NAME when
the service starts (or when its dashboard list is opened).

Modules: app (create_app), api (JSON /api/v1), web (HTML pages), auth (accounts, sessions, CSRF),
db (service.sqlite), worker (the one pipeline and the batch workers), uploads (limits, zip safety),
review (reviewed score, audit, training export), names (Chinese labels), serve_cmd (the CLI).
"""
