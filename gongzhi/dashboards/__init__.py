"""The leaders' cockpit (领导驾驶舱): dashboards scoped to the viewer, the map of grids, the grid
stations' pages, accountability (责任追究) and the monthly report, read through the domains'
selectors and a registry of measures. Nothing imports this app."""
