def test_organisation_scope(network):
    from daodi.orgs import queries

    visible = set(queries.organisations(network.point_operator).values_list("code", flat=True))
    assert visible == {"PT1", "HH1"}
    assert set(queries.organisations(network.regulator).values_list("code", flat=True)) >= {"HH2"}
