//! Per-pod work of the simulated cluster.

pub mod kubelet;
pub mod scheduler;
