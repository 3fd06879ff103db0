"""Live training in the editor: worker thread, controls, live plots, decision boundaries, weights on the canvas."""
