//! The normalised cost row: FOCUS 1.2 Cost and Usage columns plus `x_` extras, as an Arrow schema.
