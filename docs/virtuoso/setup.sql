-- Virtuoso 7 set-up for the remote mode (docs/remote-stores.md); the tests and the benchmark
-- run exactly this: isql-vt 1111 dba <dba password> docs/virtuoso/setup.sql
-- Change the password of 'cakg' (STORE_PASSWORD) for anything but a loopback test.

-- A user of the service's own, writing through the digest-authenticated endpoints.
DB.DBA.USER_CREATE ('cakg', 'cakg-secret');
GRANT SPARQL_UPDATE TO "cakg";

-- Virtuoso's own graphs sit in its union default graph; private, they are out of it.
DB.DBA.RDF_GRAPH_GROUP_CREATE ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 1);
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.openlinksw.com/schemas/virtrdf#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://www.w3.org/ns/ldp#');
DB.DBA.RDF_GRAPH_GROUP_INS ('http://www.openlinksw.com/schemas/virtrdf#PrivateGraphs', 'http://localuriqaserver/sparql');

-- Anonymous users read the public graphs, the service reads and writes them; neither sees
-- the private ones.
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('nobody', 0, 1);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('cakg', 7);
DB.DBA.RDF_DEFAULT_USER_PERMS_SET ('cakg', 0, 1);
