//! launchd agents (`~/Library/LaunchAgents/ai.openclaw.gateway.plist`), read with the `plist`
//! crate: program arguments, environment, and the keep-alive policy.

use super::{ServiceDef, ServiceKind};
use std::path::Path;

pub fn load(path: &Path, label: &str) -> Result<ServiceDef, String> {
    let value = plist::Value::from_file(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let dict = value
        .as_dictionary()
        .ok_or_else(|| format!("{}: not a property list dictionary", path.display()))?;
    let mut def = ServiceDef::new(ServiceKind::Launchd, path, label);
    let origin = |key: &str| format!("{} <key>{key}</key>", path.display());
    if let Some(args) = dict.get("ProgramArguments").and_then(|v| v.as_array()) {
        def.program = args
            .iter()
            .filter_map(|a| a.as_string().map(str::to_string))
            .collect();
        def.program_origin = Some(origin("ProgramArguments"));
    }
    if let Some(env) = dict
        .get("EnvironmentVariables")
        .and_then(|v| v.as_dictionary())
    {
        for (k, v) in env {
            if let Some(v) = v.as_string() {
                def.set_env(k, v, &origin(k));
            }
        }
    }
    for (k, v) in dict {
        let text = match v {
            plist::Value::Boolean(b) => b.to_string(),
            plist::Value::Integer(i) => i.to_string(),
            plist::Value::String(s) => s.clone(),
            _ => continue,
        };
        def.settings.push((k.clone(), text, origin(k)));
    }
    Ok(def)
}
