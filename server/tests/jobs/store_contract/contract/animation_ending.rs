//! Animations ending: cancel spares frames other animations use, and pruning keeps the frames of
//! an animation still rendering, then removes finished animations past the retention.

use julia_api_types::AnimationStatus;
use julia_server::store::JobStore;
use julia_server::store::animations::EncodeOutcome;

use super::animations::{created, insert_animation, new_animation, render_all};
use crate::store_contract::support::{LONG_LEASE, claim, completion, insert};

pub async fn cancel_names_the_frames_no_other_active_animation_uses(store: &dyn JobStore) {
    let jobs = [
        insert(store, 1).await,
        insert(store, 2).await,
        insert(store, 3).await,
    ];
    let a = created(
        insert_animation(
            store,
            new_animation("a4", vec![jobs[0].hash.clone(), jobs[1].hash.clone()]),
        )
        .await,
    );
    created(
        insert_animation(
            store,
            new_animation("a5", vec![jobs[1].hash.clone(), jobs[2].hash.clone()]),
        )
        .await,
    );
    let animations = store.animations();
    let canceled = animations
        .cancel_animation(a.animation.id)
        .await
        .unwrap()
        .unwrap();
    let to_cancel = canceled.frame_jobs;
    let canceled = canceled.stored;
    assert_eq!(canceled.animation.status, AnimationStatus::Canceled);
    assert_eq!(
        to_cancel,
        vec![jobs[0].id],
        "the shared frame keeps rendering"
    );
    let again = animations
        .cancel_animation(a.animation.id)
        .await
        .unwrap()
        .unwrap();
    let none = again.frame_jobs;
    let again = again.stored;
    assert_eq!(again.animation.status, AnimationStatus::Canceled);
    assert!(none.is_empty());
    assert!(
        animations
            .cancel_animation(uuid::Uuid::new_v4())
            .await
            .unwrap()
            .is_none()
    );
    // A canceled animation is never encoded, even with every frame done.
    render_all(store).await;
    let encode = animations
        .claim_encode("w", LONG_LEASE)
        .await
        .unwrap()
        .unwrap();
    assert_ne!(encode.id, a.animation.id);
}

pub async fn pruning_keeps_the_frames_of_an_active_animation(store: &dyn JobStore) {
    let a = insert(store, 1).await;
    let b = insert(store, 2).await;
    let stored = created(insert_animation(store, new_animation("a6", vec![a.hash, b.hash])).await);
    let id = stored.animation.id;
    let first = claim(store, LONG_LEASE).await;
    assert!(
        store
            .complete(first.job.id, first.token, completion())
            .await
            .unwrap()
    );
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(
        store
            .prune_finished(std::time::Duration::ZERO)
            .await
            .unwrap(),
        0
    );
    let animations = store.animations();
    let now = animations
        .get_animation(id)
        .await
        .unwrap()
        .unwrap()
        .animation;
    assert_eq!(
        (now.status, now.frames_done),
        (AnimationStatus::Rendering, 1)
    );
    assert_eq!(
        animations
            .prune_animations(std::time::Duration::ZERO)
            .await
            .unwrap(),
        0
    );

    render_all(store).await;
    let encode = animations
        .claim_encode("w", LONG_LEASE)
        .await
        .unwrap()
        .unwrap();
    let done = EncodeOutcome::Done { video_bytes: 1 };
    assert!(
        animations
            .finish_encode(id, encode.token, done)
            .await
            .unwrap()
    );
    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    assert_eq!(
        store
            .prune_finished(std::time::Duration::ZERO)
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        animations
            .prune_animations(std::time::Duration::ZERO)
            .await
            .unwrap(),
        1
    );
    assert!(animations.get_animation(id).await.unwrap().is_none());
}
