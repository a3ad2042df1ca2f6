--
-- PostgreSQL database dump
--


-- Dumped from database version 15.18 (Debian 15.18-0+deb12u1)
-- Dumped by pg_dump version 15.18 (Debian 15.18-0+deb12u1)

SET statement_timeout = 0;
SET lock_timeout = 0;
SET idle_in_transaction_session_timeout = 0;
SET client_encoding = 'UTF8';
SET standard_conforming_strings = on;
SELECT pg_catalog.set_config('search_path', '', false);
SET check_function_bodies = false;
SET xmloption = content;
SET client_min_messages = warning;
SET row_security = off;

SET default_tablespace = '';

SET default_table_access_method = heap;

--
-- Name: eits_audit; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.eits_audit (
    sequence bigint NOT NULL,
    occurred_at bigint NOT NULL,
    company_id text,
    action text NOT NULL,
    actor text NOT NULL,
    outcome text NOT NULL,
    fields text NOT NULL,
    mfa_method text,
    detail text,
    previous_hash text NOT NULL,
    hash text NOT NULL
);


--
-- Name: eits_audit_head; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.eits_audit_head (
    id integer NOT NULL,
    sequence bigint NOT NULL,
    hash text NOT NULL,
    CONSTRAINT eits_audit_head_id_check CHECK ((id = 1))
);


--
-- Name: eits_credentials; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.eits_credentials (
    company_id text NOT NULL,
    mode text NOT NULL,
    environment text NOT NULL,
    client_id text,
    client_secret bytea,
    token_endpoint text,
    api_endpoint text,
    scope text,
    api_key bytea,
    asp_endpoint text,
    asp_identifier text,
    asp_provider_name text,
    access_token bytea,
    refresh_token bytea,
    access_token_expires_at bigint,
    access_token_refresh_at bigint,
    is_valid boolean,
    last_validated_at bigint,
    last_test_at bigint,
    last_test_succeeded boolean,
    last_test_error text,
    configured_at bigint NOT NULL,
    configured_by text NOT NULL,
    version bigint NOT NULL,
    row_version bigint NOT NULL,
    lease_owner text,
    lease_expires_at bigint,
    destination_seal bytea
);


--
-- Name: eits_schema_version; Type: TABLE; Schema: public; Owner: -
--

CREATE TABLE public.eits_schema_version (
    version integer NOT NULL,
    description text NOT NULL,
    applied_at bigint NOT NULL
);


--
-- Data for Name: eits_audit; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.eits_audit VALUES (1, 1796084593670, 'fx-oauth', 'CredentialsCreated', 'fixture-admin@example.test', 'Succeeded', 'mode,environment,dctce.client_id,dctce.client_secret,dctce.token_endpoint,dctce.api_endpoint,dctce.scope', 'fixture-totp', NULL, '0000000000000000000000000000000000000000000000000000000000000000', '76b8d08c3d57e2dbc82c59b222b150669ff6e494bbc0573f314b21e97a89de7f');
INSERT INTO public.eits_audit VALUES (2, 1796084593730, 'fx-asp', 'CredentialsCreated', 'fixture-admin@example.test', 'Succeeded', 'mode,environment,asp.api_key,asp.endpoint,asp.identifier,asp.provider_name', 'fixture-totp', NULL, '76b8d08c3d57e2dbc82c59b222b150669ff6e494bbc0573f314b21e97a89de7f', '7ae399d2399ea590d8c703c4451120aebb3e2e7ea6c0ed25043fbcfd0b5ecfa8');
INSERT INTO public.eits_audit VALUES (3, 1796084593737, 'fx-sandbox', 'CredentialsCreated', 'fixture-admin@example.test', 'Succeeded', 'mode,environment', 'fixture-totp', NULL, '7ae399d2399ea590d8c703c4451120aebb3e2e7ea6c0ed25043fbcfd0b5ecfa8', '12d8c980a66bf29160c0ea95241554ff2f808648d16bbbbb5f93b67ede60ba07');
INSERT INTO public.eits_audit VALUES (4, 1796084593741, 'fx-oauth-updated', 'CredentialsCreated', 'fixture-admin@example.test', 'Succeeded', 'mode,environment,dctce.client_id,dctce.client_secret,dctce.token_endpoint,dctce.api_endpoint,dctce.scope', 'fixture-totp', NULL, '12d8c980a66bf29160c0ea95241554ff2f808648d16bbbbb5f93b67ede60ba07', 'c05257c3dd762ee274b5943c8e4d1a1f0a4a14975333a6d33758babea2d9924b');
INSERT INTO public.eits_audit VALUES (5, 1796084593745, 'fx-oauth-updated', 'CredentialsUpdated', 'fixture-admin@example.test', 'Succeeded', 'dctce.client_secret', 'fixture-totp', NULL, 'c05257c3dd762ee274b5943c8e4d1a1f0a4a14975333a6d33758babea2d9924b', '5104219c4d3d0e5fcf844e36563d436b2652cfc660da0431e70c46f064712e0c');
INSERT INTO public.eits_audit VALUES (6, 1796084593752, 'fx-oauth-updated', 'CredentialsUpdated', 'fixture-admin@example.test', 'Refused', 'dctce.client_secret', NULL, 'MfaMissing', '5104219c4d3d0e5fcf844e36563d436b2652cfc660da0431e70c46f064712e0c', 'b0e11d3cc6f2c3f2c1be0759f21885016f992d79382a9bc921f6058c72ca5002');


--
-- Data for Name: eits_audit_head; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.eits_audit_head VALUES (1, 6, 'b0e11d3cc6f2c3f2c1be0759f21885016f992d79382a9bc921f6058c72ca5002');


--
-- Data for Name: eits_credentials; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.eits_credentials VALUES ('fx-oauth', 'DirectDctce', 'Production', 'fx-oauth-client', '\x01010c666978747572655f32303236ebfa5e8ce74c1deed4a1c953f63a625cdfe67ffdb379b48aa03c5a2d1b7130e1544805888f0db5ae3b2aefda100d8e44d5a1126a05a97ad5dcdf89e1f88194855fcf9020370e6936df89da8a44f3e2e07590f41ea464a2e670633df22a7bb78731dbe8641905814b93290d0d5cd87d8ac62582cfd86200a3efd7ff', 'https://auth.fixture.example/oauth2/token', 'https://api.fixture.example/v1/', 'einvoice:transmit einvoice:status', NULL, NULL, NULL, NULL, '\x01010c666978747572655f32303236b4bedb6cc69029816fdbbd4c5594cc793d88df25c7c22ee3b90a959c57caa8a308db102c3359db099f1b77a83eb8561f32ae4b6c440b6a99a912732117f9f4f645397d8655d3349bb637a6987702a7017885f5bc9aa76b89f3e3147febfe0765f0144abe9ae166ff695400925b074bf6f1f42f2b8fc38aeba597', '\x01010c666978747572655f323032362c24c6dbe44c3e95362e7fca05b48658ec774421bd205a9a699e14269fa042c4a523770aee5b525a69efab65b4d319d4ac907a94c0f06cab5244da4592fe8281d1d24034eff3f7f67d19d179334425e930db82bc70942bdbd0a000fc4290811bdc8a4949d8db8539602487b606b9529dbd6ecab5a805e3e905000a', 1827620593706, 1827620293706, true, 1796084593706, NULL, NULL, NULL, 1796084593670, 'fixture-admin@example.test', 1, 2, NULL, NULL, '\x01010c666978747572655f32303236777dd03a4ae5b825543fd4812f7291a610d43126e79694b87f2f0c979801962a1f7e7bd8620d8623d8b2a43a43f5b25e16208a0db2cd1ff6a795a738d7291036a514eae92a1416771ac5dec42b680b6df16ac81ffac129100098863aaff95463a1025bf7a5c10362406f2a49596f585f37440bb73e3268694eea07d70ea98f78807d13a67dab2dc56e171d0c445c5d31f87aa2a4ca26a5aa0776c941b0de233bcececcc2844c785787d91a4a003e3b131f71f08abac6c13f62f1caa86f0f67ebf07e81dbdffe4f703a4f94142f50ab976a887af60fbb680eb22ee29c0e12a4cc7af96f51f820891c567169bc440464c36c08554b942a740cce93404e0fee7ab8f4c06185a07edf97515460c56ed071bd866ab837085d897cad2d05af0572c3d837bf81f214b02f01796b20516bbfdffad07e92df71c8218669120b69accef858d8c0e8628ea31915fce190bf13514c474d01ab4323222d7e43af41ac35ce1db26dfed09030e0be61f265134321e931aa4c172c2a90560c9f255447ff57');
INSERT INTO public.eits_credentials VALUES ('fx-asp', 'AspProvider', 'Production', NULL, NULL, NULL, NULL, NULL, '\x01010c666978747572655f32303236daf2b2f135a21da436c06f8725dc6f68e2e8f63958c315afe61014dc73ea6b3d611eab928639a501d748b70380a3cf367081201d702b3d39f9b1475f2e6a5c30282634d2555c6a26b14cdd65a10cf6c7dc4fd91ff64bb733c381e985b36921afa99bb862148cec22fadbec5df26bc27892883c', 'https://asp.fixture.example/v2/', '0009:FX000000000001', 'Fixture ASP', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796084593730, 'fixture-admin@example.test', 1, 1, NULL, NULL, '\x01010c666978747572655f323032369acf2a0b5401fa69734ba9a48fad981bd558006fa77ea741d2a3494d99f1fe56eac1e8eb07422352225119ce18cf3e3d3c99b90deef36e14a2cc418388ef0009f5f21e6545875ff03979cf86782e368b655de830c1ede1921fe13024496f33676d0552bea263c54cbade32fd8501d64776d911c7eeb1a6ddb9ece0a4de31efc3a991a5082aa8b851af2d73fa348d92a50f63a38f69f38ed8ccae8eab68d41ac1b5ae5b912fb6b3903b3c424f7851d361422926944b5ed51b83486ec1dfb0620eb106dae9f92d92e944b53dd70c319e7e19e0183828feac1b5e2ae40b056dca316178e50f6ec3910bc5da7e4dc628cc441244f1f959c7f80e891450437b879b53c8b9f14a451d97e0a6b0fe9e864953008dab1194e05ea88aa0155555578a081752883845d2269503b8796114dc8eeef0e30da91cd8eafe51369b114e0815e8d5a2b8c3ee');
INSERT INTO public.eits_credentials VALUES ('fx-sandbox', 'Sandbox', 'Sandbox', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796084593737, 'fixture-admin@example.test', 1, 1, NULL, NULL, '\x01010c666978747572655f3230323661001f5ec199bba6eb9de9775ec162091cf2862605a25845d56c626c9bbf68944a41c366651294ae8fa074db4ee16ecb299b1beba5a237ad22a2bc4b26dbf7e573723acf4e51cf7efd2b0e34b14e85db9d9121a96b3f4cc7a3901c934a9db7153bd6a3ef38bc15bdff07c502a946e3bb3e75508f3151b2a99bab06d07642638c2f6dc68352635b6cac34e0a8959d05d86c43008ce3e99abdd8cca9ffadcf36d572f076f5c7a3b355e0425e412b3a5f996cb9726589b393d64bc9001b3e4767eac87f554aa8d537d2d58529aef35906013cc60e96c987e600c095e8a2d96e92892d0a3ba55af39639ab8218ce785f664b5e98270976e178b2465e16a7c3718b77500e42459492');
INSERT INTO public.eits_credentials VALUES ('fx-oauth-updated', 'DirectDctce', 'Production', 'fx-oauth-updated-client', '\x01010c666978747572655f323032360f9e2495b6fec0f81eb3a7438f18bf4f3e213169711045f12b3eabe2a9417580d1a2dac1ac8e8e702bd486c3137bfd0dc6d1dfcfc832471ac14f99ba1509c467e8efb329acde998fa6c5388bc3af03c3edb7297cd1a1c5c8fed559cb79459e586c998448b8dbf1a9c687cddaa870b221c538fd8ce583894d3b7671e84a58336a23431ca2c73e34e4e6870e', 'https://auth.fixture.example/oauth2/token', 'https://api.fixture.example/v1/', 'einvoice:transmit', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1796084593745, 'fixture-admin@example.test', 2, 2, NULL, NULL, '\x01010c666978747572655f323032367d07706815bdc93c84497afc9c80188a73c04ca36d25239f2144a036aad3b31d796cb62fb443d15bcb3d29fed16de602a301c9c7e73b08f6f05ee516b59985f99853e2b7aba57c9fb0ea4a940fe1e84aa442e3f16956e06d1d376b33ef8dd8e3e9fc6421cf2a1bdd669462345ae7badf739942374c4f1a12da09fbad1e556ef77b1342958ee719e7d1936c3a495707aa5b21ec17dd6b14111414c0125b596050eb98a17bf389153fb3a145aa8c071f2dca1698ed13719eb3eb6bc58246a2a977b9cfe9d6c8e9d45d6f23fa47a18e00f548d88d2e23ca2d7f9258f1c03c007ad0afc02a7fcd51927d22359549105d0a75aea2521bdf3d7a640de13858a787f0ca3524c8080e9dc155bb7eb43969bb40843669d6a39bb062a6d7347e1cf7ab7f3c6077ac29218198b9518ac36f938efa2d0dbe3acb658fc8681a9c92c6dd56d6d20e675d791f011df207d7eba08a140030b154f0ec07afbd53e399f0dea52009e51092ee2c5051dc9e5ce0f5b3f0f94c0e33f1cdccc6');


--
-- Data for Name: eits_schema_version; Type: TABLE DATA; Schema: public; Owner: -
--

INSERT INTO public.eits_schema_version VALUES (1, 'initial schema', 1796084593639);
INSERT INTO public.eits_schema_version VALUES (2, 'destination seal', 1796084593659);


--
-- Name: eits_audit_head eits_audit_head_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.eits_audit_head
    ADD CONSTRAINT eits_audit_head_pkey PRIMARY KEY (id);


--
-- Name: eits_audit eits_audit_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.eits_audit
    ADD CONSTRAINT eits_audit_pkey PRIMARY KEY (sequence);


--
-- Name: eits_credentials eits_credentials_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.eits_credentials
    ADD CONSTRAINT eits_credentials_pkey PRIMARY KEY (company_id);


--
-- Name: eits_schema_version eits_schema_version_pkey; Type: CONSTRAINT; Schema: public; Owner: -
--

ALTER TABLE ONLY public.eits_schema_version
    ADD CONSTRAINT eits_schema_version_pkey PRIMARY KEY (version);


--
-- Name: ix_eits_audit_company; Type: INDEX; Schema: public; Owner: -
--

CREATE INDEX ix_eits_audit_company ON public.eits_audit USING btree (company_id, sequence);


--
-- PostgreSQL database dump complete
--


