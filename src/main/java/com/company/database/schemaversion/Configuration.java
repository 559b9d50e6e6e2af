package com.company.database.schemaversion;

class Configuration extends BaseConfiguration {

    public Configuration() {
        super("company-database-schemaversion.json");
    }
}
