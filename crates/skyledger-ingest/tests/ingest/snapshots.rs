//! Snapshots of each format's normalised output.
