CREATE OR REPLACE VIEW template_names AS SELECT name FROM templates ORDER BY name;
