"""Exit 0 when both DATABASE_URL and REDIS_URL are set, in the environment or in .env."""

import os
import sys
from pathlib import Path

import environ

env_file = Path(__file__).resolve().parent.parent / ".env"
if env_file.is_file():
    environ.Env.read_env(str(env_file), overwrite=False)
sys.exit(0 if os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL") else 1)
