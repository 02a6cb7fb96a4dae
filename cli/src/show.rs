//! Human output: short lines, the new page version after every write.

use serde_json::Value;

/// Prints an answer for people.
pub fn answer(command: &str, answer: &Value) {
    match command {
        "status" => status(answer),
        "log" => {
            for entry in answer["entries"].as_array().into_iter().flatten() {
                println!(
                    "v{:<6} {}  {}",
                    entry["version"],
                    entry["at"].as_str().unwrap_or(""),
                    entry["summary"].as_str().unwrap_or("")
                );
            }
        }
        _ => {
            let id = answer["id"].as_str().filter(|id| !id.is_empty());
            let summary = answer["summary"].as_str().unwrap_or("done");
            match id {
                Some(id) => println!("{summary} (id {id}); page version {}", answer["version"]),
                None => println!("{summary}; page version {}", answer["version"]),
            }
        }
    }
}

fn status(summary: &Value) {
    println!(
        "{}: {}",
        summary["page"]["name"].as_str().unwrap_or("page"),
        summary["status"]["description"].as_str().unwrap_or("?")
    );
    for incident in summary["incidents"].as_array().into_iter().flatten() {
        let latest = &incident["incident_updates"][0];
        println!(
            "  incident {} [{} / {}] {}: {}",
            incident["id"].as_str().unwrap_or(""),
            incident["status"].as_str().unwrap_or(""),
            incident["impact"].as_str().unwrap_or(""),
            incident["name"].as_str().unwrap_or(""),
            latest["body"].as_str().unwrap_or("")
        );
    }
    for m in summary["scheduled_maintenances"].as_array().into_iter().flatten() {
        println!(
            "  maintenance {} [{}] {} ({} to {})",
            m["id"].as_str().unwrap_or(""),
            m["status"].as_str().unwrap_or(""),
            m["name"].as_str().unwrap_or(""),
            m["scheduled_for"].as_str().unwrap_or("?"),
            m["scheduled_until"].as_str().unwrap_or("?")
        );
    }
    let down: Vec<String> = summary["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["status"] != "operational" && c["group"] != true)
        .map(|c| format!("{} ({})", c["name"].as_str().unwrap_or(""), c["status"].as_str().unwrap_or("")))
        .collect();
    if !down.is_empty() {
        println!("  not operational: {}", down.join(", "));
    }
}
