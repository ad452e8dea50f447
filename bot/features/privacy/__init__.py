"""Privacy: /forgetme erases a person and everything that names them."""
