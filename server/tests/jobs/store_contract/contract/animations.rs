//! Animations: frames counted from their jobs, the encode claimed once every frame is done and
//! fenced like a render, one row per animation hash, and revival after a lost frame or video.

use julia_api_types::{AnimationStatus, VideoFormat};
use julia_server::store::JobStore;
use julia_server::store::animations::{
    AnimationInserted, EncodeOutcome, FRAME_LOST, NewAnimation, StoredAnimation,
};

use crate::store_contract::support::{LONG_LEASE, SHORT_LEASE, claim, completion, failure, insert};

pub(super) fn new_animation(hash: &str, frame_hashes: Vec<String>) -> NewAnimation {
    NewAnimation {
        hash: hash.to_string(),
        spec: "{}".to_string(),
        format: VideoFormat::Mp4,
        width: 8,
        height: 8,
        fps: 12,
        frame_hashes,
        owner: Some("alice".to_string()),
        video_missing: false,
    }
}

pub(super) async fn insert_animation(store: &dyn JobStore, new: NewAnimation) -> AnimationInserted {
    store
        .animations()
        .insert_animation(new)
        .await
        .expect("insert animation")
}

pub(super) fn created(inserted: AnimationInserted) -> StoredAnimation {
    match inserted {
        AnimationInserted::Created(stored) => stored,
        other => panic!("expected a new animation, got {other:?}"),
    }
}

/// Claims and completes every queued job.
pub(super) async fn render_all(store: &dyn JobStore) {
    while let Some(claimed) = store.claim("renderer", LONG_LEASE).await.unwrap() {
        assert!(
            store
                .complete(claimed.job.id, claimed.token, completion())
                .await
                .unwrap()
        );
    }
}

pub async fn an_animation_counts_done_frames_and_is_encoded_once_all_are_done(
    store: &dyn JobStore,
) {
    let jobs = [
        insert(store, 1).await,
        insert(store, 2).await,
        insert(store, 3).await,
    ];
    let hashes: Vec<String> = [0, 1, 2, 0].iter().map(|&i| jobs[i].hash.clone()).collect();
    let stored = created(insert_animation(store, new_animation("a1", hashes.clone())).await);
    let id = stored.animation.id;
    assert_eq!(stored.owner.as_deref(), Some("alice"));
    assert_eq!(stored.animation.status, AnimationStatus::Rendering);
    assert_eq!(
        (stored.animation.frames, stored.animation.frames_done),
        (4, 0)
    );
    let animations = store.animations();
    assert!(
        animations
            .claim_encode("w", LONG_LEASE)
            .await
            .unwrap()
            .is_none()
    );

    let first = claim(store, LONG_LEASE).await;
    assert!(
        store
            .complete(first.job.id, first.token, completion())
            .await
            .unwrap()
    );
    let now = animations
        .get_animation(id)
        .await
        .unwrap()
        .unwrap()
        .animation;
    // Job 1 is two frames (0 and 3).
    assert_eq!(now.frames_done, 2);
    assert_eq!(now.progress, 0.5);
    assert!(
        animations
            .claim_encode("w", LONG_LEASE)
            .await
            .unwrap()
            .is_none()
    );

    render_all(store).await;
    let encode = animations
        .claim_encode("w", LONG_LEASE)
        .await
        .unwrap()
        .expect("ready");
    assert_eq!(encode.id, id);
    assert_eq!(encode.frame_hashes, hashes, "frames in order");
    assert_eq!((encode.fps, encode.format), (12, VideoFormat::Mp4));
    assert!(
        animations
            .claim_encode("w2", LONG_LEASE)
            .await
            .unwrap()
            .is_none(),
        "one encoder"
    );
    let encoding = animations
        .get_animation(id)
        .await
        .unwrap()
        .unwrap()
        .animation;
    assert_eq!(encoding.status, AnimationStatus::Encoding);
    assert!(encoding.video_url.is_none());

    let done = EncodeOutcome::Done { video_bytes: 1234 };
    assert!(
        !animations
            .finish_encode(id, encode.token + 1, done.clone())
            .await
            .unwrap()
    );
    assert!(
        animations
            .finish_encode(id, encode.token, done.clone())
            .await
            .unwrap()
    );
    let finished = animations
        .get_animation(id)
        .await
        .unwrap()
        .unwrap()
        .animation;
    assert_eq!(finished.status, AnimationStatus::Done);
    assert_eq!(finished.video_bytes, Some(1234));
    assert!(finished.finished_at.is_some());
    assert_eq!(
        finished.video_url,
        Some(format!("/api/animations/{id}/video"))
    );
    assert!(
        !animations
            .finish_encode(id, encode.token, done)
            .await
            .unwrap(),
        "once only"
    );
    // Submitted again: done stays done, unless its video is gone; then it is encoded again.
    let again = insert_animation(store, new_animation("a1", hashes.clone())).await;
    let AnimationInserted::Existing(again) = again else {
        panic!("{again:?}")
    };
    assert_eq!(again.animation.status, AnimationStatus::Done);
    let mut lost_video = new_animation("a1", hashes.clone());
    lost_video.video_missing = true;
    let AnimationInserted::Existing(revived) = insert_animation(store, lost_video).await else {
        panic!("the same animation")
    };
    assert_eq!(revived.animation.status, AnimationStatus::Rendering);
    let encode_again = animations
        .claim_encode("w", LONG_LEASE)
        .await
        .unwrap()
        .expect("ready");
    assert!(encode_again.token > encode.token);
    assert!(
        animations
            .claim_encode("w", LONG_LEASE)
            .await
            .unwrap()
            .is_none()
    );
}

pub async fn one_row_per_hash_and_a_lost_frame_fails_until_submitted_again(store: &dyn JobStore) {
    let a = insert(store, 1).await;
    let b = insert(store, 2).await;
    let hashes = vec![a.hash.clone(), b.hash.clone()];
    let first = created(insert_animation(store, new_animation("a2", hashes.clone())).await);
    let again = insert_animation(store, new_animation("a2", hashes.clone())).await;
    let AnimationInserted::Existing(again) = again else {
        panic!("the same hash is the same animation: {again:?}")
    };
    assert_eq!(again.animation.id, first.animation.id);
    let by_hash = store
        .animations()
        .animation_by_hash("a2")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(by_hash.animation.id, first.animation.id);

    let claimed = claim(store, LONG_LEASE).await;
    assert!(
        store
            .fail(claimed.job.id, claimed.token, failure())
            .await
            .unwrap()
    );
    let lost = store
        .animations()
        .get_animation(first.animation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(lost.animation.status, AnimationStatus::Failed);
    assert_eq!(lost.animation.error.unwrap().code, FRAME_LOST);
    render_all(store).await;
    assert!(
        store
            .animations()
            .claim_encode("w", LONG_LEASE)
            .await
            .unwrap()
            .is_none()
    );
    // The sweep in that claim wrote the failure down: it stays failed.
    let written = store
        .animations()
        .get_animation(first.animation.id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(written.animation.status, AnimationStatus::Failed);

    // Submitted again: the lost frame is a new job, and the animation renders again.
    let seed = if claimed.job.id == a.id { 1 } else { 2 };
    insert(store, seed).await;
    let revived = insert_animation(store, new_animation("a2", hashes)).await;
    let AnimationInserted::Existing(revived) = revived else {
        panic!("{revived:?}")
    };
    assert_eq!(revived.animation.status, AnimationStatus::Rendering);
    assert!(revived.animation.error.is_none());
    assert_eq!(revived.animation.frames_done, 1);
    render_all(store).await;
    assert!(
        store
            .animations()
            .claim_encode("w", LONG_LEASE)
            .await
            .unwrap()
            .is_some()
    );
}

pub async fn an_expired_encode_is_claimed_again_and_the_old_claim_is_fenced(store: &dyn JobStore) {
    let job = insert(store, 1).await;
    let stored = created(insert_animation(store, new_animation("a3", vec![job.hash])).await);
    render_all(store).await;
    let animations = store.animations();
    let first = animations
        .claim_encode("w1", SHORT_LEASE)
        .await
        .unwrap()
        .unwrap();
    tokio::time::sleep(SHORT_LEASE * 3).await;
    let second = animations
        .claim_encode("w2", LONG_LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(second.id, stored.animation.id);
    assert!(second.token > first.token);
    assert!(
        !animations
            .renew_encode(first.id, first.token, LONG_LEASE)
            .await
            .unwrap()
    );
    assert!(
        animations
            .renew_encode(second.id, second.token, LONG_LEASE)
            .await
            .unwrap()
    );
    let failed = EncodeOutcome::Failed(failure());
    assert!(
        !animations
            .finish_encode(first.id, first.token, failed.clone())
            .await
            .unwrap()
    );
    assert!(
        animations
            .finish_encode(second.id, second.token, failed)
            .await
            .unwrap()
    );
    let now = animations
        .get_animation(second.id)
        .await
        .unwrap()
        .unwrap()
        .animation;
    assert_eq!(now.status, AnimationStatus::Failed);
    assert_eq!(now.error.unwrap().code, failure().code);
}
