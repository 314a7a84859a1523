//! The device's polling thread (docs/DESIGN.md §7): the one place that blocks on the GPU.
//!
//! Render threads submit work and then ask this thread, over a channel, to wait for their
//! submission; wgpu runs buffer-map callbacks from inside that poll. Nothing else ever calls
//! `Device::poll`, so an async runtime bridging to a render only ever waits on a channel.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

use super::error::GpuError;

/// How long one submission may take before the GPU is declared stuck. Every dispatch is kept
/// far shorter than this (see `plan`) and render threads wait for each submission in turn, so
/// reaching it means the device is not making progress.
const SUBMISSION_TIMEOUT: Duration = Duration::from_secs(120);

struct PollRequest {
    submission: wgpu::SubmissionIndex,
    reply: mpsc::Sender<Result<(), GpuError>>,
}

/// Handle to the polling thread; dropping it stops the thread.
pub struct Poller {
    requests: Option<mpsc::Sender<PollRequest>>,
    thread: Option<JoinHandle<()>>,
}

impl Poller {
    pub fn spawn(device: wgpu::Device, name: &str) -> std::io::Result<Self> {
        let (tx, rx) = mpsc::channel::<PollRequest>();
        let thread = std::thread::Builder::new()
            .name(format!("gpu-poll {name}"))
            .spawn(move || {
                for request in rx {
                    let result = device
                        .poll(wgpu::PollType::Wait {
                            submission_index: Some(request.submission),
                            timeout: Some(SUBMISSION_TIMEOUT),
                        })
                        .map(|_| ())
                        .map_err(|e| GpuError::Poll(e.to_string()));
                    // The requester may have given up; nothing to do then.
                    let _ = request.reply.send(result);
                }
            })?;
        Ok(Self {
            requests: Some(tx),
            thread: Some(thread),
        })
    }

    /// Blocks the calling (render) thread until `submission` has finished on the GPU and its
    /// map callbacks have run.
    pub fn wait(&self, submission: wgpu::SubmissionIndex) -> Result<(), GpuError> {
        let (reply, answer) = mpsc::channel();
        self.requests
            .as_ref()
            .expect("requests live until drop")
            .send(PollRequest { submission, reply })
            .map_err(|_| GpuError::Poll("the GPU polling thread has stopped".into()))?;
        answer
            .recv()
            .map_err(|_| GpuError::Poll("the GPU polling thread has stopped".into()))?
    }
}

impl Drop for Poller {
    fn drop(&mut self) {
        drop(self.requests.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
