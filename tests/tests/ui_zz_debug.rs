mod ui_support;
use ui_support::{Browser, StaticHost, dist_dir};
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn debug() {
    let host = StaticHost::start(dist_dir());
    let browser = Browser::start().await;
    browser.goto(&format!("{}/?iter=256", host.url())).await;
    browser.wait_for_frames(1).await;
    browser.js("window.__log=[]; const i=document.getElementById('c-re'); i.addEventListener('input', () => window.__log.push(i.value));").await;
    browser.set_number("c real", "-0.70").await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let r = browser
        .js("return [window.__log, document.getElementById('c-re').value, location.search];")
        .await;
    eprintln!("{r}");
}
