"""The pure domain: availability, slots, rubrics. Standard library and holiday data only."""
