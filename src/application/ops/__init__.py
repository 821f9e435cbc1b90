"""What operators watch of Ponte's traffic with outside systems: the log of outside calls."""
