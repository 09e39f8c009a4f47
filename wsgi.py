"""WSGI entry point: `gunicorn wsgi:app` or `flask --app wsgi run`."""
import gc

from scheduler import create_app

app = create_app()
# The app's start-up objects (URL map, templates, catalogues, holiday tables: about 200,000)
# live as long as the process; frozen, the collector's full passes stop walking them on every
# request burst (a full pass cost about 150 ms once every 25 bookings).
gc.freeze()
