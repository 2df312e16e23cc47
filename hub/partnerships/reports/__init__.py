"""Reports and scoring: dashboards, exports, the strategic overview and its definition."""
