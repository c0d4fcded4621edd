// The editor bundle: CodeMirror 5 with its SPARQL mode and completion popup, as one global
// (window.CodeMirror) that static/query.js uses. Rebuilt by build.sh.
import CodeMirror from "codemirror";
import "codemirror/mode/sparql/sparql.js";
import "codemirror/addon/hint/show-hint.js";

window.CodeMirror = CodeMirror;
