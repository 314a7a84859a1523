//! `FallbackSource`: a render that starts on the GPU and, when the GPU fails, finishes on the CPU
//! without restarting (docs/DESIGN.md §5: a job never fails because the GPU did). Every fallback is logged
//! and counted.

use std::convert::Infallible;

use render_core::{
    Band, CpuSource, EscapeSample, EscapeSource, RenderParams, RenderStats, StopFlag,
};

use super::{BackendKind, GPU_FALLBACKS_METRIC, RenderOutcome};

/// An escape source that uses `primary` (the GPU) until it fails, then the CPU for every band
/// left. Bands already computed stay, so the streamed output never restarts.
pub struct FallbackSource<P> {
    primary: Option<P>,
    primary_device: String,
    cpu: CpuSource,
    fallback: Option<String>,
    bands_on_primary: usize,
}

impl<P: EscapeSource> FallbackSource<P> {
    pub fn new(primary: P, primary_device: String, cpu: CpuSource) -> Self {
        Self {
            primary: Some(primary),
            primary_device,
            cpu,
            fallback: None,
            bands_on_primary: 0,
        }
    }

    /// The GPU could not even start: everything on the CPU, logged and counted once.
    pub fn failed(reason: String, cpu: CpuSource) -> Self {
        record_fallback(&reason);
        Self {
            primary: None,
            primary_device: String::new(),
            cpu,
            fallback: Some(reason),
            bands_on_primary: 0,
        }
    }

    /// Why the render moved to the CPU, if it did.
    pub fn fallback_reason(&self) -> Option<&str> {
        self.fallback.as_deref()
    }

    pub fn outcome(self, stats: RenderStats, cpu_device: String) -> RenderOutcome {
        match self.fallback {
            None => RenderOutcome {
                stats,
                backend: BackendKind::Gpu,
                device: self.primary_device,
                gpu_fallback: None,
            },
            Some(reason) => RenderOutcome {
                stats,
                backend: BackendKind::Cpu,
                device: cpu_device,
                gpu_fallback: Some(reason),
            },
        }
    }
}

impl<P: EscapeSource> EscapeSource for FallbackSource<P> {
    type Error = Infallible;

    fn compute_band(
        &mut self,
        params: &RenderParams,
        band: Band,
        out: &mut [EscapeSample],
        stop: &StopFlag,
    ) -> Result<(), Infallible> {
        if let Some(primary) = self.primary.as_mut() {
            match primary.compute_band(params, band, out, stop) {
                Ok(()) => {
                    self.bands_on_primary += 1;
                    return Ok(());
                }
                Err(err) => {
                    let reason = if self.bands_on_primary == 0 {
                        err.to_string()
                    } else {
                        format!("{err} (after {} bands on the GPU)", self.bands_on_primary)
                    };
                    record_fallback(&reason);
                    self.primary = None;
                    self.fallback = Some(reason);
                }
            }
        }
        self.cpu.compute_band(params, band, out, stop)
    }

    fn backend_name(&self) -> &'static str {
        match self.primary {
            Some(_) => "gpu",
            None => "cpu",
        }
    }
}

fn record_fallback(reason: &str) {
    tracing::warn!(reason, "GPU render failed; continuing on the CPU");
    ::metrics::counter!(GPU_FALLBACKS_METRIC).increment(1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gpu::GpuError;
    use crate::render_backend::tests::{cpu_npy, npy_params};
    use render_core::Flow;

    /// Delegates to the CPU for `ok_bands` bands, then fails like a lost device.
    struct FailingAfter {
        ok_bands: usize,
        cpu: CpuSource,
    }

    impl EscapeSource for FailingAfter {
        type Error = GpuError;
        fn compute_band(
            &mut self,
            params: &RenderParams,
            band: Band,
            out: &mut [EscapeSample],
            stop: &StopFlag,
        ) -> Result<(), GpuError> {
            if self.ok_bands == 0 {
                // Leave garbage behind, as a half-finished GPU band would.
                out.fill(EscapeSample {
                    count: 7,
                    norm2: 1.0,
                });
                return Err(GpuError::DeviceLost("injected".into()));
            }
            self.ok_bands -= 1;
            self.cpu
                .compute_band(params, band, out, stop)
                .map_err(|never| match never {})
        }
        fn backend_name(&self) -> &'static str {
            "gpu"
        }
    }

    #[test]
    fn render_backend_fallback_finishes_on_cpu_and_counts_it() {
        let params = npy_params();
        let recorder = metrics_exporter_prometheus::PrometheusBuilder::new().build_recorder();
        let handle = recorder.handle();
        let mut source = FallbackSource::new(
            FailingAfter {
                ok_bands: 3,
                cpu: CpuSource::new(),
            },
            "injected gpu".into(),
            CpuSource::new(),
        );
        let mut out = Vec::new();
        let stats = ::metrics::with_local_recorder(&recorder, || {
            render_core::render_to_writer(
                &params,
                &mut source,
                &mut out,
                &StopFlag::new(),
                &mut |_| Flow::Continue,
            )
        })
        .expect("a GPU failure never fails the render");
        assert_eq!(
            out,
            cpu_npy(&params),
            "output must be the CPU's, with no GPU garbage"
        );
        let reason = source
            .fallback_reason()
            .expect("fallback recorded")
            .to_string();
        assert!(
            reason.contains("injected") && reason.contains("after 3 bands"),
            "{reason}"
        );
        let outcome = source.outcome(stats, "cpu (test)".into());
        assert_eq!(outcome.backend, BackendKind::Cpu);
        assert_eq!(outcome.device, "cpu (test)");
        let metrics = handle.render();
        assert!(
            metrics.contains(&format!("{GPU_FALLBACKS_METRIC} 1")),
            "counter not incremented exactly once:\n{metrics}"
        );
    }
}
