//! Google Cloud export generation (in progress).

pub(crate) fn generate(
    _: u64,
    _: &crate::calendar::Calendar,
    _: u64,
    _: &std::path::Path,
    _: &mut crate::Progress,
) -> Result<crate::StreamOutput, crate::DemoError> {
    Err(crate::DemoError::Unsupported("Google Cloud"))
}
