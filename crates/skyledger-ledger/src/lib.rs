//! The cost store: Parquet layout, atomic period swap, DataFusion session, typed CostQuery.
