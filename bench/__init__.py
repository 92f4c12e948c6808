"""Benchmarks of the portal's hot paths: point lookups and MVT tiles.

`python -m bench` (or `make bench`) starts the portal under gunicorn and TiPg under uvicorn on
free loopback ports, times both against the raw SQL they run, prints one table per scenario
with the target ratios and writes bench/results/latest.json. See bench/README.md.
"""
