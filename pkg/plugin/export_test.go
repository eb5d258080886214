package plugin

// RouteInfo is one entry of the route table as the tests outside the package see it.
type RouteInfo struct {
	Method, Path string // Path keeps its {wildcards}
	Min          Role
}

// RouteTable lists the API's routes from the same table the executable serves, so tests that
// walk every route cover a new one without being told.
func RouteTable() []RouteInfo {
	var out []RouteInfo
	for _, rt := range (&App{}).routeTable() {
		method, path, _ := cutPattern(rt.pattern)
		out = append(out, RouteInfo{Method: method, Path: path, Min: rt.min})
	}
	return out
}

func cutPattern(p string) (method, path string, ok bool) {
	for i := 0; i < len(p); i++ {
		if p[i] == ' ' {
			return p[:i], p[i+1:], true
		}
	}
	return "", p, false
}
