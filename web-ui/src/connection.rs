//! The link to the render server: whether it is reachable, the live job feed, and recovery.
//!
//! The app starts by probing `GET /api/info`. While the server is unreachable it probes again every
//! few seconds; once it answers, the event stream is (re)opened and the job list refetched, so the
//! page recovers by itself. Every opening of the stream refetches the list too: events from before
//! the server took the subscription are not sent, and a job can finish in that gap. A stream the
//! server refuses (it holds as many as it allows) is asked for again every few seconds, and the
//! list is refetched each time meanwhile. Previews never depend on any of this.

use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::api::Api;
use crate::events::JobEvents;
use crate::job::{Job, JobFeed, LIST_LIMIT};

/// How often an unreachable server is probed again.
const RETRY_EVERY: Duration = Duration::from_secs(2);

/// What the page knows about the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServerState {
    Connecting,
    Online,
    Offline,
}

/// Shared handle to the link; clones share one connection.
#[derive(Clone)]
pub struct ServerLink {
    inner: Rc<Inner>,
}

struct Inner {
    api: Api,
    state: RwSignal<ServerState>,
    jobs: RwSignal<Vec<Job>>,
    events: RefCell<Option<JobEvents>>,
    retry: Cell<Option<TimeoutHandle>>,
    probing: Cell<bool>,
    /// Merges events and listings so that no older state replaces a newer one.
    feed: RefCell<JobFeed>,
}

impl ServerLink {
    /// Creates the link and starts probing the server.
    pub fn start(api: Api, state: RwSignal<ServerState>, jobs: RwSignal<Vec<Job>>) -> Self {
        let link = Self {
            inner: Rc::new(Inner {
                api,
                state,
                jobs,
                events: RefCell::new(None),
                retry: Cell::new(None),
                probing: Cell::new(false),
                feed: RefCell::new(JobFeed::default()),
            }),
        };
        Inner::probe(&link.inner);
        link
    }

    pub fn api(&self) -> &Api {
        &self.inner.api
    }

    /// A request failed without an answer: show the server as unreachable and start retrying.
    pub fn report_unreachable(&self) {
        Inner::went_offline(&self.inner);
    }
}

impl Inner {
    fn probe(this: &Rc<Self>) {
        if this.probing.replace(true) {
            return;
        }
        let this = Rc::clone(this);
        spawn_local(async move {
            let reachable = this.api.probe().await.is_ok();
            this.probing.set(false);
            if reachable {
                Inner::went_online(&this);
            } else {
                Inner::went_offline(&this);
            }
        });
    }

    fn went_online(this: &Rc<Self>) {
        if let Some(timer) = this.retry.take() {
            timer.clear();
        }
        this.state.set(ServerState::Online);
        let stream_usable = this
            .events
            .borrow()
            .as_ref()
            .is_some_and(|events| !events.is_closed());
        if !stream_usable {
            let events = Inner::open_events(Rc::downgrade(this));
            *this.events.borrow_mut() = events;
        }
        Inner::refresh_jobs(this);
    }

    fn went_offline(this: &Rc<Self>) {
        this.state.set(ServerState::Offline);
        Inner::probe_later(this);
    }

    /// Probes again after [`RETRY_EVERY`] (once, however often this is called meanwhile).
    fn probe_later(this: &Rc<Self>) {
        if let Some(timer) = this.retry.take() {
            timer.clear();
        }
        let weak = Rc::downgrade(this);
        let timer = set_timeout_with_handle(
            move || {
                if let Some(this) = weak.upgrade() {
                    Inner::probe(&this);
                }
            },
            RETRY_EVERY,
        );
        this.retry.set(timer.ok());
    }

    fn refresh_jobs(this: &Rc<Self>) {
        let this = Rc::clone(this);
        this.feed.borrow_mut().listing_started();
        spawn_local(async move {
            match this.api.list(LIST_LIMIT).await {
                Ok(listing) => this
                    .jobs
                    .update(|jobs| this.feed.borrow_mut().listed(jobs, listing)),
                Err(_) => this.feed.borrow_mut().listing_ended(),
            }
        });
    }

    fn open_events(weak: Weak<Self>) -> Option<JobEvents> {
        let this = weak.upgrade()?;
        let url = this.api.events_url();
        let on_job = weak.clone();
        let on_open = weak.clone();
        let on_error = weak;
        let events = JobEvents::open(
            &url,
            move |job| {
                if let Some(this) = on_job.upgrade() {
                    this.jobs
                        .update(|jobs| this.feed.borrow_mut().event(jobs, job));
                }
            },
            move || {
                // Events before the server took this subscription were not sent to it, the first
                // opening's included: resynchronise.
                if let Some(this) = on_open.upgrade() {
                    if this.state.get_untracked() != ServerState::Online {
                        Inner::went_online(&this);
                    } else {
                        Inner::refresh_jobs(&this);
                    }
                }
            },
            move || {
                if let Some(this) = on_error.upgrade() {
                    // An interrupted stream reconnects by itself; the probe says whether the
                    // server is still there. A refused one (the server holds as many streams as
                    // it allows, or answered something else) is closed for good: asking again at
                    // once would ask in a loop, so the next probe, which replaces it, waits.
                    let refused = this
                        .events
                        .borrow()
                        .as_ref()
                        .is_some_and(JobEvents::is_closed);
                    if refused {
                        Inner::probe_later(&this);
                    } else {
                        Inner::probe(&this);
                    }
                }
            },
        );
        match events {
            Ok(events) => Some(events),
            Err(err) => {
                leptos::logging::warn!("cannot open the job event stream at {url}: {err:?}");
                None
            }
        }
    }
}
