"""Services: load rows, call the pure domain, persist. They flush; views and jobs commit."""
