CREATE TABLE c (id int PRIMARY KEY, region text NOT NULL DEFAULT '${Region}');
