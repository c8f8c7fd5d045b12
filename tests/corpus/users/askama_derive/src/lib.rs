//! askama's `Template` derive with inline sources (askama reads its configuration from
//! CARGO_MANIFEST_DIR at expansion time).
use askama::Template;

/// A greeting page.
#[derive(Template)]
#[template(source = "<h1>Hello, {{ name }}!</h1>{% for item in items %}<li>{{ item }}</li>{% endfor %}", ext = "html")]
pub struct Hello<'a> {
    pub name: &'a str,
    pub items: Vec<String>,
}

/// A text template with conditionals and filters.
#[derive(Template)]
#[template(source = "{% if count > 1 %}{{ count }} items{% else %}one item{% endif %}: {{ title|upper }}", ext = "txt")]
pub struct Summary {
    pub count: usize,
    pub title: String,
}
