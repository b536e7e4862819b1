#![allow(clippy::many_single_char_names)]

use std::sync::Arc;

use serde_json::{json, Value};

use super::*;

fn pod(name: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}
    })
}

fn everything() -> Selector {
    Selector::everything()
}

#[test]
fn create_assigns_identity_and_a_fresh_resource_version() {
    let s = Store::new(0, 100);
    let before = s.resource_version();
    let p = s.create(&pod("a"), "").unwrap();
    assert_eq!(p.meta.resource_version, before + 1);
    assert_eq!(p.meta.generation, 1);
    assert_eq!(&*p.meta.namespace, "default");
    assert_eq!(p.meta.created, time::EPOCH);
    assert_eq!(p.meta.uid.to_string().len(), 36);
    assert_eq!(p.pod_status().unwrap().phase, "Pending");
}

#[test]
fn same_seed_gives_same_uids_and_generated_names() {
    let make = || {
        let s = Store::new(7, 100);
        let mut p = pod("");
        p["metadata"]["generateName"] = json!("web-");
        let o = s.create(&p, "").unwrap();
        (o.meta.name.to_string(), o.meta.uid.to_string())
    };
    let (a, b) = (make(), make());
    assert_eq!(a, b);
    assert!(a.0.starts_with("web-") && a.0.len() == 9, "{}", a.0);
    assert!(a.0[4..].bytes().all(|c| NAME_ALPHABET.contains(&c)));
}

#[test]
fn invalid_create_stores_nothing() {
    let s = Store::new(0, 100);
    let rv = s.resource_version();
    let mut p = pod("a");
    p["spec"]["containers"][0]["image"] = json!("");
    let err = s.create(&p, "").unwrap_err();
    assert!(matches!(err, Error::Invalid { .. }));
    assert_eq!(s.resource_version(), rv);
    assert!(s.get(Kind::Pod, "default", "a").is_err());
}

#[test]
fn create_into_a_missing_namespace_is_not_found() {
    let s = Store::new(0, 100);
    let mut p = pod("a");
    p["metadata"]["namespace"] = json!("nowhere");
    let err = s.create(&p, "").unwrap_err();
    assert_eq!(err.to_string(), "namespaces \"nowhere\" not found");
}

#[test]
fn a_taken_name_is_already_exists() {
    let s = Store::new(0, 100);
    s.create(&pod("a"), "").unwrap();
    let err = s.create(&pod("a"), "").unwrap_err();
    assert_eq!(err.to_string(), "pods \"a\" already exists");
}

#[test]
fn stale_resource_version_is_a_conflict() {
    let s = Store::new(0, 100);
    let p = s.create(&pod("a"), "").unwrap();
    let mut v = p.to_value();
    v["metadata"]["resourceVersion"] = json!("1");
    v["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    let err = s.replace(&v, "").unwrap_err();
    assert!(matches!(err, Error::Conflict { .. }), "{err}");
}

#[test]
fn image_change_bumps_generation_and_keeps_identity() {
    let s = Store::new(0, 100);
    let p = s.create(&pod("a"), "").unwrap();
    let mut v = p.to_value();
    v["spec"]["containers"][0]["image"] = json!("nginx:1.28");
    let q = s.replace(&v, "").unwrap();
    assert_eq!(q.meta.generation, 2);
    assert_eq!(q.meta.uid, p.meta.uid);
    assert!(q.meta.resource_version > p.meta.resource_version);
}

#[test]
fn label_change_keeps_generation_and_shares_spec() {
    let s = Store::new(0, 100);
    let p = s.create(&pod("a"), "").unwrap();
    let mut v = p.to_value();
    v["metadata"]["labels"]["tier"] = json!("front");
    let q = s.replace(&v, "").unwrap();
    assert_eq!(q.meta.generation, 1);
    let (Body::Pod { spec: a, .. }, Body::Pod { spec: b, .. }) = (&p.body, &q.body) else {
        panic!("pods hold pod bodies");
    };
    assert!(Arc::ptr_eq(a, b));
}

#[test]
fn identical_replace_changes_nothing() {
    let s = Store::new(0, 100);
    let p = s.create(&pod("a"), "").unwrap();
    let q = s.replace(&p.to_value(), "").unwrap();
    assert_eq!(q.meta.resource_version, p.meta.resource_version);
}

#[test]
fn forbidden_pod_update_leaves_the_pod_alone() {
    let s = Store::new(0, 100);
    let p = s.create(&pod("a"), "").unwrap();
    let mut v = p.to_value();
    v["spec"]["containers"][0]["name"] = json!("renamed");
    assert!(matches!(
        s.replace(&v, "").unwrap_err(),
        Error::Invalid { .. }
    ));
    let now = s.get(Kind::Pod, "default", "a").unwrap();
    assert_eq!(now.meta.resource_version, p.meta.resource_version);
}

#[test]
fn list_by_selector_uses_labels() {
    let s = Store::new(0, 100);
    for (n, app) in [("a", "web"), ("b", "db"), ("c", "web")] {
        let mut p = pod(n);
        p["metadata"]["labels"]["app"] = json!(app);
        s.create(&p, "").unwrap();
    }
    let sel = Selector::parse("app=web").unwrap();
    let (pods, _) = s.list(Kind::Pod, None, &sel);
    let names: Vec<&str> = pods.iter().map(|p| &*p.meta.name).collect();
    assert_eq!(names, ["a", "c"]);
    let sel = Selector::parse("app!=web").unwrap();
    let (pods, _) = s.list(Kind::Pod, Some("default"), &sel);
    assert_eq!(pods.len(), 1);
}

#[test]
fn watch_replays_after_a_resource_version_and_expires_old_ones() {
    let s = Store::new(0, 3);
    let start = s.resource_version();
    for n in ["a", "b", "c", "d"] {
        s.create(&pod(n), "").unwrap();
    }
    let filter = Filter {
        kind: Some(Kind::Pod),
        namespace: None,
        selector: everything(),
    };
    assert!(matches!(
        s.events_since(start, &filter, 100),
        Err(Error::Gone(_))
    ));
    let (events, last) = s.events_since(start + 2, &filter, 100).unwrap();
    assert_eq!(events.len(), 2);
    assert_eq!(last, s.resource_version());
}

#[test]
fn unscheduled_pods_are_deleted_at_once() {
    let s = Store::new(0, 100);
    s.create(&pod("a"), "").unwrap();
    let out = s
        .delete(Kind::Pod, "default", "a", &DeleteOptions::default())
        .unwrap();
    assert!(out.is_none());
    assert!(s.get(Kind::Pod, "default", "a").is_err());
}

#[test]
fn finalizers_hold_a_deleted_object_until_removed() {
    let s = Store::new(0, 100);
    let mut p = pod("a");
    p["metadata"]["finalizers"] = json!(["example.com/hold"]);
    s.create(&p, "").unwrap();
    let held = s
        .delete(Kind::Pod, "default", "a", &DeleteOptions::default())
        .unwrap()
        .unwrap();
    assert!(held.deleting());
    assert_eq!(held.meta.generation, 2);
    let mut v = held.to_value();
    v["metadata"]["finalizers"] = json!([]);
    s.replace(&v, "").unwrap();
    assert!(s.get(Kind::Pod, "default", "a").is_err());
}

#[test]
fn pods_from_one_template_share_spec_and_labels() {
    let s = Store::new(0, 100);
    let template = json!({
        "metadata": {"labels": {"app": "web"}},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}
    });
    let batch = PodBatch {
        namespace: "default",
        template: &template,
        names: None,
        generate_name: "web-",
        count: 50,
        owner: None,
        overlays: None,
        pin_nodes: None,
        keep_template_as: None,
    };
    let pods = s.create_pods(&batch).unwrap();
    assert_eq!(pods.len(), 50);
    let first = &pods[0];
    for p in &pods[1..] {
        let (Body::Pod { spec: a, .. }, Body::Pod { spec: b, .. }) = (&first.body, &p.body) else {
            panic!("pods hold pod bodies");
        };
        assert!(Arc::ptr_eq(a, b));
        assert!(Arc::ptr_eq(&first.meta.labels, &p.meta.labels));
        assert_ne!(first.meta.uid, p.meta.uid);
    }
    let names: std::collections::HashSet<_> = pods.iter().map(|p| p.meta.name.clone()).collect();
    assert_eq!(names.len(), 50);
}

#[test]
fn a_failed_transaction_leaves_no_trace() {
    let s = Store::new(0, 100);
    let rv = s.resource_version();
    let r: Result<(), Error> = s.transaction(|tx| {
        tx.create(&pod("a"), "")?;
        tx.create(&pod("a"), "")?;
        Ok(())
    });
    assert!(r.is_err());
    assert_eq!(s.resource_version(), rv);
    assert!(s.get(Kind::Pod, "default", "a").is_err());
    let filter = Filter {
        kind: None,
        namespace: None,
        selector: everything(),
    };
    assert!(s.events_since(rv, &filter, 10).unwrap().0.is_empty());
    // The store still works, and the label index holds no stale entry.
    s.create(&pod("a"), "").unwrap();
    let (pods, _) = s.list(Kind::Pod, None, &Selector::parse("app=web").unwrap());
    assert_eq!(pods.len(), 1);
}

fn owned_pod(name: &str, owner: &Object, block: bool) -> Value {
    let mut p = pod(name);
    p["metadata"]["ownerReferences"] = json!([{
        "apiVersion": owner.kind.api_version(), "kind": owner.kind.name(),
        "name": &*owner.meta.name, "uid": owner.meta.uid.to_string(),
        "controller": true, "blockOwnerDeletion": block
    }]);
    p
}

fn replica_set(name: &str) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "ReplicaSet",
        "metadata": {"name": name},
        "spec": {
            "replicas": 0,
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}
            }
        }
    })
}

#[test]
fn background_deletion_collects_dependents() {
    let s = Store::new(0, 100);
    let rs = s.create(&replica_set("rs"), "").unwrap();
    s.create(&owned_pod("a", &rs, true), "").unwrap();
    s.delete(Kind::ReplicaSet, "default", "rs", &DeleteOptions::default())
        .unwrap();
    assert!(s.get(Kind::Pod, "default", "a").is_ok());
    s.collect_garbage();
    assert!(s.get(Kind::Pod, "default", "a").is_err());
}

#[test]
fn orphan_deletion_strips_owner_references() {
    let s = Store::new(0, 100);
    let rs = s.create(&replica_set("rs"), "").unwrap();
    s.create(&owned_pod("a", &rs, true), "").unwrap();
    let opts = DeleteOptions {
        propagation: Propagation::Orphan,
        ..DeleteOptions::default()
    };
    let held = s.delete(Kind::ReplicaSet, "default", "rs", &opts).unwrap();
    assert_eq!(held.unwrap().meta.finalizers, ["orphan"]);
    s.collect_garbage();
    assert!(s.get(Kind::ReplicaSet, "default", "rs").is_err());
    let a = s.get(Kind::Pod, "default", "a").unwrap();
    assert!(a.meta.owner_references.is_empty());
}

#[test]
fn foreground_deletion_waits_for_dependents() {
    let s = Store::new(0, 100);
    let rs = s.create(&replica_set("rs"), "").unwrap();
    s.create(&owned_pod("a", &rs, true), "").unwrap();
    let opts = DeleteOptions {
        propagation: Propagation::Foreground,
        ..DeleteOptions::default()
    };
    s.delete(Kind::ReplicaSet, "default", "rs", &opts).unwrap();
    assert!(s.get(Kind::ReplicaSet, "default", "rs").unwrap().deleting());
    s.collect_garbage();
    assert!(s.get(Kind::Pod, "default", "a").is_err());
    s.collect_garbage();
    assert!(s.get(Kind::ReplicaSet, "default", "rs").is_err());
}

#[test]
fn system_namespaces_exist_and_default_cannot_be_deleted() {
    let s = Store::new(0, 100);
    for ns in SYSTEM_NAMESPACES {
        assert!(s.get(Kind::Namespace, "", ns).is_ok());
    }
    let err = s
        .delete(Kind::Namespace, "", "default", &DeleteOptions::default())
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "namespaces \"default\" is forbidden: this namespace may not be deleted"
    );
}

#[test]
fn a_deleted_namespace_takes_its_content_with_it() {
    let s = Store::new(0, 100);
    s.create(
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team"}}),
        "",
    )
    .unwrap();
    let mut p = pod("a");
    p["metadata"]["namespace"] = json!("team");
    s.create(&p, "").unwrap();
    s.delete(Kind::Namespace, "", "team", &DeleteOptions::default())
        .unwrap();
    let err = s.create(&p, "").unwrap_err();
    assert!(matches!(err, Error::Forbidden { .. }), "{err}");
    s.collect_garbage();
    assert!(s.get(Kind::Pod, "team", "a").is_err());
    assert!(s.get(Kind::Namespace, "", "team").is_err());
}

fn deployment() -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web"},
        "spec": {
            "selector": {"matchLabels": {"app": "web"}},
            "template": {
                "metadata": {"labels": {"app": "web"}},
                "spec": {"containers": [{"name": "c", "image": "nginx:1.27"}]}
            }
        }
    })
}

#[test]
fn a_status_write_shares_the_rest_of_a_json_object_and_skips_an_unchanged_status() {
    let s = Store::new(0, 100);
    let d = s.create(&deployment(), "").unwrap();
    let mut v = d.to_value();
    v["status"] = json!({"replicas": 1});
    let written = s.replace_status(&v, "").unwrap();
    assert!(written.meta.resource_version > d.meta.resource_version);
    assert_eq!(written.spec_value(), d.spec_value());
    let (Body::Json(before), Body::Json(after)) = (&d.body, &written.body) else {
        panic!("a Deployment is held as JSON");
    };
    assert_eq!(after.get("status"), Some(&json!({"replicas": 1})));
    assert!(std::ptr::eq(
        before.get("spec").unwrap(),
        after.get("spec").unwrap()
    ));
    v["metadata"]["resourceVersion"] = json!(written.meta.resource_version.to_string());
    let again = s.replace_status(&v, "").unwrap();
    assert_eq!(again.meta.resource_version, written.meta.resource_version);
}

#[test]
fn a_listing_by_one_label_keeps_to_the_namespace_and_the_value() {
    let s = Store::new(0, 100);
    s.create(&pod("a"), "").unwrap();
    s.create(
        &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "other"}}),
        "",
    )
    .unwrap();
    s.create(&pod("b"), "other").unwrap();
    let mut c = pod("c");
    c["metadata"]["labels"] = json!({"app": "db"});
    s.create(&c, "").unwrap();
    for text in ["app=web", "app==web", "app in (web)", "app"] {
        let sel = Selector::parse(text).unwrap();
        let names: Vec<String> = s
            .list(Kind::Pod, Some("default"), &sel)
            .0
            .iter()
            .map(|o| o.meta.name.to_string())
            .collect();
        let want: &[&str] = if text == "app" { &["a", "c"] } else { &["a"] };
        assert_eq!(names, want, "{text}");
    }
    let two = Selector::parse("app=web,tier=front").unwrap();
    assert!(s.list(Kind::Pod, None, &two).0.is_empty());
}

/// A batch of named pods in `default`, each with its overlay.
fn named_batch(template: &Value, names: Vec<String>, overlays: Vec<Value>) -> PodBatch<'_> {
    PodBatch {
        namespace: "default",
        template,
        names: Some(names),
        generate_name: "",
        count: 0,
        owner: None,
        overlays: Some(overlays),
        pin_nodes: None,
        keep_template_as: None,
    }
}

#[test]
fn pods_pinned_to_nodes_in_one_batch_are_the_pods_made_one_by_one() {
    let template = json!({
        "metadata": {"labels": {"app": "agent"}},
        "spec": {
            "containers": [{"name": "c", "image": "agent:1"}],
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                        {"matchExpressions": [{"key": "os", "operator": "In", "values": ["linux"]}]}
                    ]},
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {"weight": 1, "preference": {"matchExpressions": [{"key": "z", "operator": "Exists"}]}}
                    ]
                }
            }
        }
    });
    let nodes = ["node-a", "node-b", "node-c", "node-d"];
    // The overlays are recognised as pins, so the batch copies its first pod.
    assert_eq!(pinned_node(&node_name_affinity("node-a")), Some("node-a"));
    assert_eq!(pinned_node(&json!({"spec": {"nodeName": "node-a"}})), None);
    let overlays: Vec<Value> = nodes.iter().map(|n| node_name_affinity(n)).collect();
    let names: Vec<String> = nodes.iter().map(|n| format!("agent-{n}")).collect();
    let batch = |names: Vec<String>, overlays: Vec<Value>| named_batch(&template, names, overlays);
    let together = Store::new(7, 100);
    let made = together
        .create_pods(&batch(names.clone(), overlays.clone()))
        .unwrap();
    let apart = Store::new(7, 100);
    for (name, overlay) in names.iter().zip(&overlays) {
        apart
            .create_pods(&batch(vec![name.clone()], vec![overlay.clone()]))
            .unwrap();
    }
    // The same batch given node names instead of overlays.
    let by_name = Store::new(7, 100);
    by_name
        .create_pods(&PodBatch {
            overlays: None,
            pin_nodes: Some(nodes.iter().map(|n| (*n).to_owned()).collect()),
            ..batch(names.clone(), Vec::new())
        })
        .unwrap();
    for (pod, node) in made.iter().zip(nodes) {
        let alone = apart.get(Kind::Pod, "default", &pod.meta.name).unwrap();
        assert_eq!(pod.to_value(), alone.to_value());
        let named = by_name.get(Kind::Pod, "default", &pod.meta.name).unwrap();
        assert_eq!(pod.to_value(), named.to_value());
        let v = pod.to_value();
        let terms = &v["spec"]["affinity"]["nodeAffinity"]
            ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
        assert_eq!(
            terms,
            &json!([{"matchFields": [{"key": "metadata.name", "operator": "In", "values": [node]}]}])
        );
        assert_eq!(
            v["spec"]["affinity"]["nodeAffinity"]
                ["preferredDuringSchedulingIgnoredDuringExecution"][0]["weight"],
            json!(1)
        );
    }
    // A node name that is not a valid one is refused as it is made alone.
    let bad = Store::new(7, 100);
    let err = bad
        .create_pods(&batch(
            vec!["agent-1".into(), "agent-2".into()],
            vec![
                node_name_affinity("node-a"),
                node_name_affinity("Not_A_Node"),
            ],
        ))
        .unwrap_err();
    let alone = Store::new(7, 100)
        .create_pods(&batch(
            vec!["agent-2".into()],
            vec![node_name_affinity("Not_A_Node")],
        ))
        .unwrap_err();
    assert_eq!(format!("{err:?}"), format!("{alone:?}"));
    assert_eq!(bad.count(Kind::Pod), 0);
}

#[test]
fn pods_given_only_their_identity_are_the_pods_the_full_path_makes() {
    let template = json!({
        "metadata": {"labels": {"app": "db", "tier": "x"}, "annotations": {"a": "b"}},
        "spec": {
            "containers": [{"name": "c", "image": "db:1", "resources": {"requests": {"cpu": "10m"}}}],
            "tolerations": [{"key": "k", "operator": "Exists"}]
        }
    });
    let identity = |name: &str, ordinal: usize| {
        json!({
            "metadata": {"labels": {
                "statefulset.kubernetes.io/pod-name": name,
                "apps.kubernetes.io/pod-index": ordinal.to_string(),
                "tier": "y"
            }},
            "spec": {"hostname": name, "subdomain": "db"}
        })
    };
    // The same overlay with a no-op the identity path does not take.
    let full = |name: &str, ordinal: usize| {
        let mut o = identity(name, ordinal);
        o["spec"]["nodeName"] = Value::Null;
        o
    };
    assert!(identity_overlay(&identity("db-0", 0)).is_some());
    assert!(identity_overlay(&full("db-0", 0)).is_none());
    let batch = |names: Vec<String>, overlays: Vec<Value>| named_batch(&template, names, overlays);
    let names: Vec<String> = (0..4).map(|i| format!("db-{i}")).collect();
    let fast = Store::new(7, 100);
    let slow = Store::new(7, 100);
    // One at a time (OrderedReady), then a batch (Parallel).
    for (i, name) in names.iter().take(2).enumerate() {
        fast.create_pods(&batch(vec![name.clone()], vec![identity(name, i)]))
            .unwrap();
        slow.create_pods(&batch(vec![name.clone()], vec![full(name, i)]))
            .unwrap();
    }
    let rest: Vec<String> = names[2..].to_vec();
    fast.create_pods(&batch(
        rest.clone(),
        rest.iter().zip(2..).map(|(n, i)| identity(n, i)).collect(),
    ))
    .unwrap();
    slow.create_pods(&batch(
        rest.clone(),
        rest.iter().zip(2..).map(|(n, i)| full(n, i)).collect(),
    ))
    .unwrap();
    for name in &names {
        let a = fast.get(Kind::Pod, "default", name).unwrap().to_value();
        let b = slow.get(Kind::Pod, "default", name).unwrap().to_value();
        assert_eq!(a, b);
        assert_eq!(a["spec"]["hostname"], json!(name));
        assert_eq!(a["metadata"]["labels"]["tier"], json!("y"));
        assert_eq!(a["metadata"]["labels"]["app"], json!("db"));
    }
    // Invalid identities are refused with the full path's errors.
    for (name, overlay) in [
        ("db-9", json!({"spec": {"hostname": "Not_A_Label"}})),
        ("db-9", json!({"spec": {"subdomain": "a.b"}})),
        ("db-9", json!({"metadata": {"labels": {"bad key!": "v"}}})),
        ("Bad_Name", json!({"spec": {"hostname": "h"}})),
    ] {
        let mut forced = overlay.clone();
        forced["spec"]["nodeName"] = Value::Null;
        let a = fast
            .create_pods(&batch(vec![name.into()], vec![overlay]))
            .unwrap_err();
        let b = slow
            .create_pods(&batch(vec![name.into()], vec![forced]))
            .unwrap_err();
        assert_eq!(format!("{a:?}"), format!("{b:?}"));
    }
    // A template that is not a valid pod alone is still refused.
    let broken = json!({"spec": {"containers": [{"name": "c"}]}});
    let err = Store::new(7, 100)
        .create_pods(&named_batch(
            &broken,
            vec!["db-0".into()],
            vec![identity("db-0", 0)],
        ))
        .unwrap_err();
    assert!(format!("{err:?}").contains("image"), "{err:?}");
}
