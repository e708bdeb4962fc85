"""Which static files `collectstatic` gathers.

The front-end packages ship every build (unminified, ESM, right-to-left, partial CSS) with source
maps: 100 MB, whose hashing and compression took minutes at every start. The pages cite only the
minified bundles (anju/templates/base.html), so only those — and the source maps they name, which
the manifest storage insists on — are collected.
"""

from django.contrib.staticfiles.apps import StaticFilesConfig


class AnjuStaticFilesConfig(StaticFilesConfig):
    ignore_patterns = [
        *StaticFilesConfig.ignore_patterns,
        # ESM builds, right-to-left and partial Bootstrap stylesheets.
        "*.esm.*",
        "*.rtl.*",
        "bootstrap-grid*",
        "bootstrap-reboot*",
        "bootstrap-utilities*",
        # Unminified builds, each beside the .min one the pages use.
        "bootstrap.css*",
        "bootstrap.js*",
        "bootstrap.min.js*",
        "bootstrap.bundle.js*",
        "echarts.js*",
        "echarts.common*",
        "echarts.simple*",
        "extension",
        "htmx.js",
        "htmx.amd.js",
        "htmx.cjs.js",
        "ext",
        "package.json",
    ]
