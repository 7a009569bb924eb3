//! Dashboards: definitions and widgets round-trip in order; private ones only for their creator.

use skyledger_meta::dashboards::{DashboardDef, WidgetDef};

use crate::backends;

fn def(name: &str, public: bool, widgets: usize) -> DashboardDef {
    DashboardDef {
        name: format!(" {name} "),
        description: format!("about {name}"),
        config_data: "{}".into(),
        size: 9,
        public,
        theme: 1,
        widgets: (0..widgets)
            .map(|i| WidgetDef {
                name: format!("widget {i}"),
                description: String::new(),
                config_data: format!("{{\"grid_details\":{{\"x\":{i}}}}}"),
                widget_reference_id: (10 + i).to_string(),
            })
            .collect(),
    }
}

#[tokio::test]
async fn dashboards_round_trip_and_private_ones_stay_with_their_creator() {
    for (name, meta) in backends().await.stores {
        let org = meta.default_org("Acme", "UTC").await.unwrap();
        let other = meta.create_org("Other", "UTC").await.unwrap();
        let created = meta
            .create_dashboard(&org.id, "alice", &def("Ops", false, 3))
            .await
            .unwrap();
        assert_eq!(created.id.len(), 17, "{name}");
        assert_eq!(created.def.name, "Ops", "{name}: the name is trimmed");
        let loaded = meta
            .dashboard(&org.id, "alice", &created.id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(loaded, created, "{name}");
        let refs: Vec<&str> = loaded
            .widgets
            .iter()
            .map(|w| w.def.widget_reference_id.as_str())
            .collect();
        assert_eq!(refs, ["10", "11", "12"], "{name}: widgets keep their order");

        // Private: not for another user, nor for another organisation.
        assert!(
            meta.dashboard(&org.id, "bob", &created.id)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            meta.dashboard(&other.id, "alice", &created.id)
                .await
                .unwrap()
                .is_none()
        );

        let shared = meta
            .create_dashboard(&org.id, "bob", &def("Shared", true, 0))
            .await
            .unwrap();
        let names = |v: Vec<skyledger_meta::dashboards::Dashboard>| {
            v.into_iter().map(|d| d.def.name).collect::<Vec<_>>()
        };
        assert_eq!(
            names(meta.dashboards(&org.id, "alice", 0, 0).await.unwrap()),
            ["Ops", "Shared"],
            "{name}"
        );
        assert_eq!(
            names(meta.dashboards(&org.id, "bob", 0, 0).await.unwrap()),
            ["Shared"],
            "{name}"
        );
        assert_eq!(
            names(meta.dashboards(&org.id, "alice", 1, 1).await.unwrap()),
            ["Shared"],
            "{name}: start and limit page"
        );
        assert!(
            meta.dashboards(&other.id, "alice", 0, 0)
                .await
                .unwrap()
                .is_empty()
        );
        let seen = meta
            .dashboard(&org.id, "alice", &shared.id)
            .await
            .unwrap()
            .unwrap();
        assert!(seen.def.public && seen.widgets.is_empty(), "{name}");
    }
}
