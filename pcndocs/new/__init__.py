"""`pcndocs new`: the questions a new network answers, and the profile written from them."""
