//! Reader behaviour: compression, bad rows, empty and truncated files, currencies, sniffing.
