"""Activities and money: what partnerships do together, what partners give, exchange rates."""
