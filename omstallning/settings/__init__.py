"""Settings package: base (shared), dev (make run), test (pytest), production (deployments).

Every value that differs between deployments comes from the environment (django-environ); see
README.md, "Environment variables".
"""
