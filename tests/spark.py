"""One local Spark session for the tests that need Spark (``spark_session`` in tests/conftest.py).

local[1], no UI, one shuffle partition, errors-only logs; skipped only when no Java runtime is found.
"""
from __future__ import annotations

import os
import shutil


def java_missing() -> str | None:
    """Why Spark cannot start here, or None."""
    home = os.environ.get("JAVA_HOME")
    if shutil.which("java") is None and not (home and os.path.exists(os.path.join(home, "bin", "java"))):
        return "no Java runtime (java on PATH or JAVA_HOME): pyspark needs a JVM"
    return None


def start_session():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[1]").appName("specgen-tests")
               .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "1")
               .config("spark.driver.extraJavaOptions", "-Dlog4j2.level=ERROR")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    return session
