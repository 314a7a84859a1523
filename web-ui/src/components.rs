//! The page's parts, one component per file.

pub mod api_key_field;
pub mod controls;
pub mod job_list;
pub mod preview_canvas;
pub mod render_panel;
