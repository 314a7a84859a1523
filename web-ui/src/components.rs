//! The page's parts, one component per file.

pub mod animation_panel;
pub mod api_key_field;
pub mod bookmarks;
pub mod c_picker;
pub mod colour_controls;
pub mod controls;
pub mod gallery;
pub mod job_list;
pub mod preview_canvas;
pub mod render_panel;
pub mod share;
pub mod shortcuts;
pub mod stage_result;
pub mod view_info;
