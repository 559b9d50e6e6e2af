package com.company.database.schemaversion.engine;

/**
 * A database login: read from SSM (by the handler or by the VPC runner), or an IAM authentication token. toString
 * hides both values: a user name parameter may hold anything, a secret too.
 */
public record Login(String username, String password) {
    @Override
    public String toString() {
        return "Login[username=****, password=****]";
    }
}
